/** Job workers as Electron utility processes (same worker script as the CLI/web host forks). */
import { utilityProcess } from 'electron';
import { workerScript, type Spawner } from '@vigil/engine';

export const utilitySpawner: Spawner = (args) => {
  const child = utilityProcess.fork(workerScript, args, { serviceName: 'vigil-job', stdio: 'inherit' });
  return {
    onMessage: (cb) => child.on('message', cb),
    onExit: (cb) => child.on('exit', (code) => cb(code)),
    send: (m) => child.postMessage(m),
    kill: () => void child.kill(),
  };
};
