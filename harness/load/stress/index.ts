/**
 * The load harness's `stress` drivers. Broker: {@link runStress} (launch,
 * /proc sampling, {@link runBrokerLoad}) and its renderings; store: {@link runStoreLoad} (autocannon per
 * read mode). See `harness/load/README.md`.
 *
 * @module
 */
export * from './options.ts';
export * from './target.ts';
export * from './broker-load.ts';
export * from './stress.ts';
export * from './render.ts';
export * from './store.ts';
export * from './thresholds.ts';
export * from './remote-target.ts';
export * from './compare.ts';
