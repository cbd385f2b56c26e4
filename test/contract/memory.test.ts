import { plainCodec } from '../../src/store/codec.ts';
import { MemoryEventStore } from '../../src/store/memory.ts';
import { storeContract } from './store-contract.ts';

storeContract('memory', async () => ({ store: new MemoryEventStore(plainCodec), teardown: async () => {} }));
