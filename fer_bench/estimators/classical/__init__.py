"""Classical estimators (scikit-learn): SVMs and kNN on faces' pixels, PCA or HOG, and bag-of-visual-words SVMs.

- :mod:`.features`: the feature steps (``pixels``, ``pca``, ``hog``);
- :mod:`.kernels`: kernel matrices (pixel SVM kernels, histogram kernels);
- :mod:`.ovo`: one-vs-one SVMs from binary pairs fitted in joblib threads;
- :mod:`.svm`: :class:`~.svm.PixelSVC`; :mod:`.linear_newton`: the linear SVM by Newton steps;
- :mod:`.knn`: :class:`~.knn.GridSearchKNN`;
- :mod:`.visual_words` and :mod:`.bovw`: the BoVW features and SVMs (Ionescu, Popescu and Grozea, 2013);
- :mod:`.zoo`: the registered factories.
"""
