import { describe, it } from 'node:test';
import { plainCodec } from '../../src/store/codec.ts';
import { EventStoreDbStore } from '../../src/store/eventstoredb.ts';
import { storeContract } from './store-contract.ts';

const connection = process.env.EVENTSTORE_CONNECTION_STRING;
if (connection) {
  storeContract('eventstoredb', async () => {
    const store = new EventStoreDbStore(connection, plainCodec);
    return { store, teardown: () => store.close() };
  });
} else {
  describe('event store contract: eventstoredb', () => {
    it('runs when EVENTSTORE_CONNECTION_STRING names a server (none can run on CI machines)', { skip: true }, () => {});
  });
}
