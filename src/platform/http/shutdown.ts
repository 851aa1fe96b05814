// Graceful shutdown for HTTP: once `app.close()` starts, requests still in flight finish, and
// their responses say `Connection: close` so keep-alive clients let go of the socket. Without
// it the server waits on those idle keep-alive sockets until the shutdown deadline kills it.
import type { FastifyInstance } from 'fastify';

export function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
}
