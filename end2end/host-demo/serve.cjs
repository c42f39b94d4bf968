// Serves the host demo page (index.html) for a Switchboard server, on another origin than
// Switchboard's. From a test: `startHostDemo(appUrl)`; by hand:
//   node end2end/host-demo/serve.cjs http://127.0.0.1:3000 4010
// then add http://127.0.0.1:4010 to Administration > Host desktops and open it.
// `/stranger.html` is a page that posts a request to the desktop frame of the page that
// embeds it, as a script of a site not on the list would.
'use strict';
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const STRANGER =
  '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Stranger</title></head><body>' +
  '<script>parent.frames[0].postMessage({ switchboard: 1, type: "set_state", id: 99, state: "not_ready" }, "*");' +
  '</script></body></html>';

function startHostDemo(appUrl, port = 0) {
  const page = readFileSync(join(__dirname, 'index.html'), 'utf8').replaceAll('{{APP}}', appUrl.replace(/\/$/, ''));
  const server = createServer((request, response) => {
    const body = request.url.startsWith('/stranger.html') ? STRANGER : page;
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(body);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({ server, url: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

module.exports = { startHostDemo };

if (require.main === module) {
  const [appUrl = 'http://127.0.0.1:3000', port = '4010'] = process.argv.slice(2);
  startHostDemo(appUrl, Number(port)).then(({ url }) => console.log(`host demo: ${url}`));
}
