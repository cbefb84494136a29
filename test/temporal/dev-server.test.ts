import net from 'node:net';
import { freePort, retrySlowStart } from '../../src/temporal/dev-server';

/** What the kernel hands a `bind(0)`, as every server started on "any free port" gets it. */
function ephemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('freePort', () => {
  // A test that points a client at "nothing" once reached a time-skipping server another test file had just started
  // on that port: its workflow, polled by no worker, stopped that server's clock, and both tests timed out.
  it('is given to no other bind(0) while a test counts on nothing being there', async () => {
    const port = await freePort();

    // Merely closed, a port came back about once in 4,000 binds here (Linux picks them at random).
    const handedOut: number[] = [];
    for (let bind = 0; bind < 20_000; bind++) {
      if ((await ephemeralPort()) === port) handedOut.push(bind);
    }

    expect(handedOut).toEqual([]);
    expect(await connects(port)).toBe(false);
  });

  it('can be listened on by number at once, as the dev server and the Web UI are', async () => {
    const port = await freePort();
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    try {
      expect(await connects(port)).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('retrySlowStart', () => {
  const slow = () =>
    new Error('Failed to start ephemeral server: ephemeral server at 127.0.0.1:38533 did not start within 5s.');

  // One CI run failed when a dev server took more than the SDK's fixed 5 s to answer on a busy machine.
  it('starts the server again when it did not answer in time, and returns the one that did', async () => {
    const outcomes = [slow(), slow(), 'started'];
    let calls = 0;
    const start = async () => {
      const outcome = outcomes[calls++];
      if (outcome instanceof Error) throw outcome;
      return outcome;
    };

    await expect(retrySlowStart(start)).resolves.toBe('started');
    expect(calls).toBe(3);
  });

  it('gives up after its attempts, and throws any other failure at once', async () => {
    let calls = 0;
    await expect(
      retrySlowStart(async () => {
        calls++;
        throw slow();
      }, 2),
    ).rejects.toThrow('did not start within 5s');
    expect(calls).toBe(2);

    calls = 0;
    await expect(
      retrySlowStart(async () => {
        calls++;
        throw new Error('TEMPORAL_CLI_PATH=/nope is not an executable file.');
      }),
    ).rejects.toThrow('not an executable file');
    expect(calls).toBe(1);
  });
});
