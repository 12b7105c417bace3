// THROWAWAY: stands in for dist/esm/cli.js until the CLI exists. Same flags, ignores trust.
import { createServer } from 'node:http';

const argv = process.argv.slice(2);
const host = argv[argv.indexOf('--host') + 1];
const port = Number(argv[argv.indexOf('--port') + 1]);
createServer((req, res) => {
  if (req.url === '/redirect') {
    res.writeHead(302, { location: `http://${req.headers.host}/landed` }).end();
    return;
  }
  res.setHeader('content-type', 'application/json');
  res.end(
    JSON.stringify({
      peer: req.socket.remoteAddress,
      httpVersion: req.httpVersion,
      path: req.url,
      headers: req.headers,
      rawHeaders: req.rawHeaders,
    }),
  );
}).listen(port, host);
process.on('SIGTERM', () => process.exit(0));
