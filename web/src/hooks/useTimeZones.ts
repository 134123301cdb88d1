import { useEffect, useState } from 'react';
import { api } from '../api.js';

// The list never changes while the console is open: fetch it once for every form.
let cached: Promise<string[]> | null = null;

/** The IANA time zones the server accepts (empty until loaded). */
export function useTimeZones(): string[] {
  const [zones, setZones] = useState<string[]>([]);
  useEffect(() => {
    cached ??= api.get<string[]>('/api/meta/time-zones').catch((err: unknown) => {
      cached = null;
      throw err;
    });
    let current = true;
    cached.then((z) => current && setZones(z)).catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  return zones;
}
