// Types of mockllm-node/simulator: the same simulator the main export carries.
export { DEVICE_PROFILES, createTaro, createUni, createWx } from "../index";
export type { DeviceProfile, DeviceProfileName, RequestOptions, RequestTask, SimulatedTaro, SimulatedUni, SimulatedWx, SimulatorOptions, SocketTask, UiCall } from "../index";
export declare function deviceProfile(profile?: import("../index").DeviceProfileName | import("../index").DeviceProfile): import("../index").DeviceProfile;
export declare function seededRandom(seed: number): () => number;
export declare function readGrouper(profile?: import("../index").DeviceProfileName | import("../index").DeviceProfile): { push(read: Uint8Array): Uint8Array[]; end(): Uint8Array[] };
/** The close code a connection dropped without a close frame reports. */
export declare const ABNORMAL_CLOSURE: 1006;
