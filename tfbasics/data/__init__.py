"""MNIST for the chapter: fetch and verify the four files, read IDX, serve them as TF 1.x and Keras do.

Importing it runs nothing; import its modules (``from tfbasics.data import ...``)."""
