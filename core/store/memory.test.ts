import { describeExecutionStoreContract } from "./contract/execution-store.contract.js";
import { describeRiposteStoreContract } from "./contract/riposte-store.contract.js";
import { MemoryStore } from "./memory.js";
import { MemoryExecutionStore } from "./memory-executions.js";

describeRiposteStoreContract("memory store", async () => {
  const store = new MemoryStore();
  return { store, peer: () => store, close: async () => {} };
});

describeExecutionStoreContract("memory execution store", async () => ({
  store: new MemoryExecutionStore(),
  close: async () => {},
}));
