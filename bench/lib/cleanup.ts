// Child processes the bench started are killed if the bench exits early (error, Ctrl-C).

const hooks = new Set<() => void>();
let installed = false;

export function onExit(fn: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', runAll);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        runAll();
        process.exit(130);
      });
    }
  }
  hooks.add(fn);
  return () => hooks.delete(fn);
}

function runAll(): void {
  for (const fn of hooks) {
    try {
      fn();
    } catch {
      // best effort
    }
  }
  hooks.clear();
}
