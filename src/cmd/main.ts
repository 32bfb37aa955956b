// The k8ts command line: one binary, one subcommand per component.

import { Command } from 'commander';
import { serverCommand } from './server.js';
import { schedulerCommand } from './scheduler.js';
import { controllerManagerCommand } from './controller-manager.js';
import { simulateCommand } from './simulate.js';
import { upCommand } from './up.js';
import { agentCommand } from './agent.js';
import { kubeletCommand } from './kubelet.js';

const program = new Command();
program
  .name('k8ts')
  .description('Kubernetes, written in TypeScript')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)');

program.addCommand(upCommand());
program.addCommand(serverCommand('server', 'run the control plane (API server, scheduler, controller manager) on a data directory'));
program.addCommand(serverCommand('apiserver', 'run the API server alone', false));
program.addCommand(agentCommand());
program.addCommand(kubeletCommand());
program.addCommand(schedulerCommand());
program.addCommand(controllerManagerCommand());
program.addCommand(simulateCommand());

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
