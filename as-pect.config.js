// as-pect runs the core's unit specs; test/core mirrors the paths under assembly/.
export default {
  entries: ["test/core/**/*.spec.ts"],
  include: ["test/core/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
