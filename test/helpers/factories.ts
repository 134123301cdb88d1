import crypto from 'node:crypto';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const base = () => {
  const n = crypto.randomBytes(3).toString('hex');
  return {
    profile: { name: `Lincoln USD ${n}`, code: `lincoln-${n}`, timeZone: 'America/Chicago' },
    administrator: { firstName: 'Ada', lastName: 'Park', email: `ada-${n}@lincoln.example`, phone: '', password: 'Lincoln-admin-42' },
    address: { line1: '1 Main St', line2: '', city: 'Lincoln', region: 'NE', postalCode: '68508', country: 'US' },
    lti: { version: '1.1' },
    rostering: {
      type: 'oneroster',
      oneRosterVersion: '1.1',
      syncType: 'sftp',
      matchWith: 'identifier',
      syncFrequency: 'auto',
      period: 'weekly',
      suffix: '@lincoln',
      clientPartnerId: `LIN-${n}`,
      authorization: 'oauth1-hmac-sha256',
      consumerKey: '',
      secretKey: '',
      url: '',
      sftp: { host: 'sftp.lincoln.example', port: 22, username: 'roster', password: `sftp-${n}-Secret`, path: '/uploads', fileName: 'roster.zip' },
    },
    acceptTerms: true,
  };
};

export type CustomerBody = ReturnType<typeof base>;

/** A valid customer.json body (DESIGN.md's example) with unique code, email and partner id, deep-merged with overrides. */
export function customerBody(overrides: DeepPartial<CustomerBody> & Record<string, unknown> = {}): CustomerBody {
  return merge(base(), overrides) as CustomerBody;
}

function merge(target: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(src)) {
    const t = target[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && t && typeof t === 'object') merge(t as Record<string, unknown>, v as Record<string, unknown>);
    else target[k] = v;
  }
  return target;
}
