// Types of mockllm-node/simulator: the same simulator the main export carries.
export { DEVICE_PROFILES, createTaro, createUni, createWx } from "mockllm-node";
export type { DeviceProfile, DeviceProfileName, RequestOptions, RequestTask, SimulatedTaro, SimulatedUni, SimulatedWx, SimulatorOptions, SocketTask, UiCall } from "mockllm-node";
export declare function deviceProfile(profile?: import("mockllm-node").DeviceProfileName | import("mockllm-node").DeviceProfile): import("mockllm-node").DeviceProfile;
export declare function seededRandom(seed: number): () => number;
export declare function readGrouper(profile?: import("mockllm-node").DeviceProfileName | import("mockllm-node").DeviceProfile): { push(read: Uint8Array): Uint8Array[]; end(): Uint8Array[] };
/** The close code a connection dropped without a close frame reports. */
export declare const ABNORMAL_CLOSURE: 1006;
