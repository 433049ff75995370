"""From saved models to applications and studies: faces in images and video, prediction, evaluation, studies."""
