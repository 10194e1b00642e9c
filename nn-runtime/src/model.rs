//! Saving and loading trained networks.
