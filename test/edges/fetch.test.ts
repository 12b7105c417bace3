/**
 * The scenario table through the fetch edge (R18) on Node: a real node:http server builds a
 * Web `Request` from each IncomingMessage and hands its socket address in as `peer`; once
 * with the raw lines, once with Web `Headers` only.
 */
import { listenFetch } from './fetch-edge.js';
import { describeEdge, type Edge } from './runner.js';

const withRaw: Edge = {
  name: 'fetch Request on node:http (transport.rawHeaders)',
  rawLines: true,
  start: (options, listen) => listenFetch(options, listen, true),
};
const joinedOnly: Edge = {
  name: 'fetch Request on node:http (Web Headers only)',
  rawLines: false,
  start: (options, listen) => listenFetch(options, listen, false),
};

describeEdge(withRaw);
describeEdge(joinedOnly);
