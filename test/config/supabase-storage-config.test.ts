import { ConfigError, loadConfig } from '../../src/config';

const supabase = {
  STORAGE_BACKEND: 'supabase',
  SUPABASE_URL: 'https://ref.supabase.co',
  SUPABASE_SERVICE_ROLE_KEY: 'k',
};

describe('Supabase Storage settings', () => {
  it('reads the URL mode, signed URL lifetime, bucket creation and upload tuning', () => {
    const config = loadConfig({
      ...supabase,
      STORAGE_URL_MODE: 'public',
      STORAGE_SIGNED_URL_TTL_SECONDS: '600',
      STORAGE_CREATE_BUCKET: 'true',
      STORAGE_STANDARD_UPLOAD_MAX_BYTES: '1048576',
      STORAGE_CACHE_CONTROL_SECONDS: '60',
      STORAGE_REQUEST_TIMEOUT_MS: '5000',
    });
    expect(config.storage.supabase).toEqual({
      urlMode: 'public',
      signedUrlTtlSeconds: 600,
      createBucket: true,
      standardUploadMaxBytes: 1_048_576,
      cacheControlSeconds: 60,
      requestTimeoutMs: 5000,
    });
  });

  it('names every bad value at once', () => {
    let caught: unknown;
    try {
      loadConfig({
        ...supabase,
        STORAGE_URL_MODE: 'cdn',
        STORAGE_SIGNED_URL_TTL_SECONDS: '0',
        STORAGE_CREATE_BUCKET: 'maybe',
        STORAGE_STANDARD_UPLOAD_MAX_BYTES: String(60 * 1024 * 1024),
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('STORAGE_URL_MODE must be one of public, signed'),
        expect.stringContaining('STORAGE_SIGNED_URL_TTL_SECONDS must be a positive integer'),
        expect.stringContaining('STORAGE_CREATE_BUCKET must be true or false'),
        expect.stringContaining('STORAGE_STANDARD_UPLOAD_MAX_BYTES must be at most 52428800'),
      ]),
    );
  });
});
