"""OpenCV, imported on first use (it is not needed to train or report)."""


def import_cv2():
    """Return the ``cv2`` module.

    Raises
    ------
    ImportError
        If OpenCV is not installed, saying which package provides it (4.x: 5.x has no Haar cascades).
    """
    try:
        import cv2
    except ImportError as error:
        raise ImportError("faces, video and image studies need OpenCV: pip install 'opencv-python-headless<5'") from error
    return cv2
