/** A `.wasm` module import, as Cloudflare Workers (and wrangler/miniflare's CompiledWasm rule) provide it. */
declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
