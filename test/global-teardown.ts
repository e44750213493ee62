export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __aetherPostgres?: { stop(): Promise<void> } }).__aetherPostgres;
  await pg?.stop();
}
