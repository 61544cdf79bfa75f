#include <suitesparse/klu.h>

/* KLU's triangular solves on one diagonal block (complex, int indices). libklu exports them but
 * declares them only in its internal header; PowerFlow's full iteration calls them on a
 * right-hand side it already keeps in pivot order (SparseLU.swift, `solveInPivotOrder`), which
 * is exactly what klu_z_solve does between its permutation passes. `LU` is the block's
 * Numeric->LUbx entry, `X` and `Udiag` interleaved (re, im). */
void klu_z_lsolve(int n, int Lip[], int Llen[], void *LU, int nrhs, double X[]);
void klu_z_usolve(int n, int Uip[], int Ulen[], void *LU, double Udiag[], int nrhs, double X[]);
