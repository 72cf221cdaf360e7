/** @module Public names of the render module (chosen here, re-exported by the package index). */
export {};
