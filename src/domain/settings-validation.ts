/** Model-agnostic plausibility checks for GenerationSettings; each model narrows them when planning. */
import { describeValue } from './text';
import {
  invalid,
  isAbsent,
  rejectUnknownKeys,
  requireBoolean,
  requireInteger,
  requireNumber,
  requireOneOf,
  requirePlainObject,
} from './field-checks';
import { MAX_SEED } from './plan-inputs';
import type { GenerationSettings } from './types';

type SettingKey = keyof GenerationSettings;

const ASPECT_RATIOS = ['16:9', '9:16', '1:1'] as const;
const RESOLUTION_PATTERN = /^\d{3,4}p$/;

const SETTING_CHECKS: { [K in SettingKey]-?: (value: unknown, field: string) => GenerationSettings[K] } = {
  fps: (value, field) => requireInteger(value, field, 1, 60),
  seed: (value, field) => requireInteger(value, field, 0, MAX_SEED),
  motion: (value, field) => requireInteger(value, field, 1, 255),
  condAug: (value, field) => requireNumber(value, field, 0, 1),
  resolution: (value, field) =>
    typeof value === 'string' && RESOLUTION_PATTERN.test(value)
      ? value
      : invalid(`${field} must be a resolution such as "720p" or "1080p" (got ${describeValue(value)})`),
  aspectRatio: (value, field) => requireOneOf(value, field, ASPECT_RATIOS),
  steps: (value, field) => requireInteger(value, field, 1, 1000),
  guidance: (value, field) => requireNumber(value, field, 0, 100),
  extendPrompt: (value, field) => requireBoolean(value, field),
};

const SETTING_KEYS = Object.keys(SETTING_CHECKS) as SettingKey[];

export function validateSettings(value: unknown): GenerationSettings {
  const raw = requirePlainObject(value, 'settings');
  rejectUnknownKeys(raw, SETTING_KEYS, 'settings.');
  const settings: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    if (!isAbsent(raw[key])) settings[key] = SETTING_CHECKS[key](raw[key], `settings.${key}`);
  }
  return settings as GenerationSettings;
}
