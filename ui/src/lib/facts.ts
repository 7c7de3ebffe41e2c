// The facts the UI takes from Rust instead of restating them (presets, a new profile's
// defaults, template variables, link formats, the profile-name limit): facts.json is written by
// hoist-core's facts test, which fails when the committed file is stale.
import raw from './facts.json';
import type { LinkFormat, Preset, ProfileConfig } from './types';

export const PRESETS: Preset[] = raw.presets as Preset[];
export const TEMPLATE_VARIABLE_NAMES: string[] = raw.templateVariables;
export const LINK_FORMATS: LinkFormat[] = raw.linkFormats as LinkFormat[];
export const PROFILE_NAME_MAX_BYTES: number = raw.profileNameMaxBytes;

/** A new profile of `provider`, with Rust's defaults (unset options are absent, as the real
 *  backend sends them). */
export function defaultConfig(provider: string): ProfileConfig {
  return { ...structuredClone(raw.profileDefaults), provider } as unknown as ProfileConfig;
}
