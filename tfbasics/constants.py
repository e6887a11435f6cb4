"""The facts about MNIST that several modules need, in one place.

Every module that shapes an image, a logit or a one-hot label imports them from here.
"""

IMAGE_SIZE = 28  # MNIST digits are 28x28 pixels
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE  # 784 features, the book's flattened image
NUM_CLASSES = 10  # digits 0-9
