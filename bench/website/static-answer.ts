/**
 * The controls: a bare Node HTTP server that answers every request with the same bytes,
 * already in memory (a page as the website sent it, compressed or not). What it reaches on
 * this machine, with the same load generator, is the ceiling for any server sending
 * answers of that size.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StaticAnswer {
  origin: string;
  close(): Promise<void>;
}

export async function serveStaticAnswer(
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<StaticAnswer> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      ...headers,
    });
    res.end(body);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
