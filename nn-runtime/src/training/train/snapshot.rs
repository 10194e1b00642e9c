//! The state of a training session that resuming needs beyond the network and the optimizer:
//! the order of the samples, the positions of the random streams and the best weights so far.

use rand::SeedableRng;
use rand::rngs::ChaCha12Rng;
use serde::{Deserialize, Serialize};

/// The exact position of a ChaCha12 random stream (the generator behind `StdRng`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RngState {
    /// The 32-byte key.
    pub seed: [u8; 32],
    /// The stream number.
    pub stream: u64,
    /// The position in the stream, in 32-bit words (a `u128`, as text).
    pub word_position: String,
}

impl RngState {
    /// The position of `rng`.
    pub fn of(rng: &ChaCha12Rng) -> Self {
        Self {
            seed: rng.get_seed(),
            stream: rng.get_stream(),
            word_position: rng.get_word_pos().to_string(),
        }
    }

    /// A generator at this position.
    pub fn restore(&self) -> Result<ChaCha12Rng, String> {
        let position: u128 = self.word_position.parse().map_err(|_| {
            format!(
                "the random stream position `{}` is not a whole number",
                self.word_position
            )
        })?;
        let mut rng = ChaCha12Rng::from_seed(self.seed);
        rng.set_stream(self.stream);
        rng.set_word_pos(position);
        Ok(rng)
    }
}

/// What a [`Session`](super::Session) carries from one epoch to the next.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    /// The order of the samples after the last shuffle (the next shuffle permutes it).
    pub order: Vec<usize>,
    /// The shuffling stream.
    pub shuffle: RngState,
    /// The dropout stream, in a list of one (checkpoints of multi-threaded runs of earlier
    /// versions, which drew one stream per thread, hold several and are refused).
    pub dropout: Vec<RngState>,
    /// The weights of the best epoch so far, for early stopping (every tensor, in
    /// [`Tensors`](crate::Tensors) order, as `f64`, which holds `f32` values exactly).
    pub best: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, rngs::StdRng};

    #[test]
    fn a_restored_stream_continues_where_it_was_and_equals_std_rng() {
        let mut rng = ChaCha12Rng::seed_from_u64(9);
        let mut std = StdRng::seed_from_u64(9);
        for _ in 0..37 {
            assert_eq!(rng.next_u32(), std.next_u32());
        }
        let mut restored = RngState::of(&rng).restore().unwrap();
        for _ in 0..100 {
            assert_eq!(restored.next_u64(), rng.next_u64());
        }
        let mut broken = RngState::of(&rng);
        broken.word_position = "x".into();
        assert!(broken.restore().is_err());
    }
}
