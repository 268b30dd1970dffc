import type { Env } from '../config/env.js';
import { checkHashKey, resolveHashKey } from '../identity/hash-key.js';
import type { IdentitySettings } from '../identity/normalize.js';
import { Store } from './database.js';

export interface OpenedStore {
  store: Store;
  identity: IdentitySettings;
}

/** Opens (and migrates) the store and the identity settings its hashes were made with. */
export async function openStore(file: string, env: Pick<Env, 'PROPEL_ID_HASH_KEY' | 'PROPEL_PHONE_COUNTRY_CODE'>): Promise<OpenedStore> {
  const store = await Store.open(file);
  try {
    const hashKey = resolveHashKey(file, env.PROPEL_ID_HASH_KEY);
    await checkHashKey(store, hashKey);
    return { store, identity: { hashKey, phoneCountryCode: env.PROPEL_PHONE_COUNTRY_CODE } };
  } catch (error) {
    store.close();
    throw error;
  }
}
