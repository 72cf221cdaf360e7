/** @module Public names of the asset module (chosen here, re-exported by the package index). */
export {};
