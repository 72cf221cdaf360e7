/** @module Public names of the vast module (chosen here, re-exported by the package index). */
export {};
