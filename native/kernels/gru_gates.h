/* The GRU gate arithmetic of one step (gru_gates.c), shared by the per-step and the whole-sequence kernels. */
#ifndef NATIVE_KERNELS_GRU_GATES_H
#define NATIVE_KERNELS_GRU_GATES_H
#include <stdint.h>

/* out [B, H] = h' of each row; gates [B, 3H] keeps r | z | n for the gradient. No argument may overlap another. */
void gru_gates_forward(const float *restrict xp, const float *restrict hp, const float *restrict h, float *restrict out,
                       float *restrict gates, int64_t B, int64_t H);
/* Given dy = ∂L/∂h': ∂L/∂xProj, ∂L/∂hProj and the direct part of ∂L/∂h (through z only). */
void gru_gates_backward(const float *restrict gates, const float *restrict hp, const float *restrict h, const float *restrict dy,
                        float *restrict dxp, float *restrict dhp, float *restrict dh, int64_t B, int64_t H);
#endif
