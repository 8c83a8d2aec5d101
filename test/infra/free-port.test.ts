// Ports for the embedded services and the test harness come from below the kernel's ephemeral range, so that an
// outgoing connection cannot take one between the pick and the listen (a massline up test once lost its API's).
import * as fs from 'fs';
import * as net from 'net';
import { freePort } from '../../apps/cli/src/embedded/process';

it('picks ports below the ephemeral range, free to listen on', async () => {
  const [low] = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
  for (const port of ports) {
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(Math.min(low, 32_768));
    const srv = net.createServer();
    await new Promise<void>((resolve, reject) => srv.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }
});
