import { pino, type Logger } from 'pino';

/** JSON logs with secrets redacted wherever they appear in log data. */
export function buildLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        '*.authorization',
        '*.apiKey',
        '*.secretAccessKey',
        '*.GRAVIX_S3_SECRET_ACCESS_KEY',
        '*.GRAVIX_OIDC_CLIENT_SECRET',
        '*.clientSecret',
        '*.cookie',
        '*.csrf',
        'req.headers.authorization',
        'req.headers.cookie',
      ],
      censor: '[redacted]',
    },
  });
}
