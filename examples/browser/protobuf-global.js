// protobufjs' script build (loaded by the page first) sets globalThis.protobuf; this module hands it to ES imports.
export default globalThis.protobuf;
