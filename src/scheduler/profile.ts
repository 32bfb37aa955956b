// The default profile: upstream's plugin set and weights from plugins/, with DefaultPreemption as
// PostFilter and DefaultBinder as Bind (both added by the Scheduler).

import type { PluginsFactory } from './framework/types.js';
import { defaultPlugins, type DefaultPluginsOptions } from './plugins/index.js';

export interface ProfileOptions extends DefaultPluginsOptions {}

/** The default-scheduler profile's filter/score plugins. */
export function defaultProfile(opts: ProfileOptions = {}): PluginsFactory {
  return defaultPlugins(opts);
}
