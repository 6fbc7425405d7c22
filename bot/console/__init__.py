"""The staff console: brokers see the queue, take conversations, answer and hand back."""
