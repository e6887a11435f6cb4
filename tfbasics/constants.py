"""The facts about MNIST that several modules need, in one place.

Every module that shapes an image, a logit or a one-hot label, or splits the data, imports them
from here.
"""

IMAGE_SIZE = 28  # MNIST digits are 28x28 pixels
IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE  # 784 features, the book's flattened image
NUM_CLASSES = 10  # digits 0-9
NUM_TRAIN = 60000  # training digits in MNIST's files (train-*-idx?-ubyte)
NUM_TEST = 10000  # test digits (t10k-*-idx?-ubyte)
VALIDATION_SIZE = 5000  # the first training digits held out, as TF 1.x's read_data_sets does
