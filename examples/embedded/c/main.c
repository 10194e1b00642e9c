/* Calls the no_std static library from C: classifies a digit with the baked network and trains
 * the regressor on the device. Exits non-zero when a result is wrong. */
#include <math.h>
#include <stdio.h>

unsigned nn_digits_classify(const float *pixels, float *probabilities);
unsigned nn_digits_parameters(void);
float nn_regressor_fit(const float *inputs, const float *targets, size_t count, unsigned epochs);

int main(void) {
    /* The first sample of the 8×8 digits set, a 0 (pixels 0–16, scaled to [0, 1]). */
    static const unsigned char zero[64] = {
        0, 0, 5,  13, 9,  1,  0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11,
        8, 0, 0,  4,  12, 0,  0, 8, 8, 0, 0,  5,  8,  0,  0, 9, 8, 0, 0,  4, 11, 0,
        1, 12, 7, 0,  0,  2,  14, 5, 10, 12, 0, 0, 0, 0,  6,  13, 10, 0, 0, 0};
    float pixels[64], probabilities[10], sum = 0.0f;
    for (int i = 0; i < 64; i++) pixels[i] = zero[i] / 16.0f;
    unsigned digit = nn_digits_classify(pixels, probabilities);
    for (int i = 0; i < 10; i++) sum += probabilities[i];
    printf("digits: %u parameters baked in; the first 0 of the digits set reads as %u (p = %.3f)\n",
           nn_digits_parameters(), digit, probabilities[digit]);
    if (fabsf(sum - 1.0f) > 1e-5f || digit != 0) return 1;

    /* y = x0 - x1 + 0.5·x7 on 64 samples of a fixed sequence in [-1, 1). */
    float inputs[64 * 8], targets[64];
    unsigned state = 12345;
    for (int s = 0; s < 64; s++) {
        for (int j = 0; j < 8; j++) {
            state = state * 1103515245u + 12345u;
            inputs[s * 8 + j] = (float)((state >> 8) & 0xffff) / 32768.0f - 1.0f;
        }
        targets[s] = inputs[s * 8] - inputs[s * 8 + 1] + 0.5f * inputs[s * 8 + 7];
    }
    float early = nn_regressor_fit(inputs, targets, 64, 1);
    float late = nn_regressor_fit(inputs, targets, 64, 200);
    printf("regressor: last batch loss %.5f after 1 epoch, %.5f after 200 (learned on the device)\n",
           early, late);
    return late >= 0.0f && late < early / 10.0f ? 0 : 1;
}
