// The Express 4 and 5 npm aliases share @types/express for type checking.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
