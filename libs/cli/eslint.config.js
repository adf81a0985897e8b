// The workspace's rules, without the bin shim: plain JavaScript outside every tsconfig, which the
// type-aware rules cannot read. It only loads dist/main.js (linted as src/main.ts).
import root from '../../eslint.config.js';

export default [{ ignores: ['bin/**'] }, ...root];
