import { MemoryEventStore } from '../../src/store/memory.ts';
import { storeContract } from './store-contract.ts';

storeContract('memory', async () => ({ store: new MemoryEventStore(), teardown: async () => {} }));
