"""IP-LAP: Identity-Preserving Talking Face Generation with Landmark and Appearance Priors (Zhong et al.,
CVPR 2023; ``../shared/papers/ip_lap.txt``). See docs/ip_lap.md.

==========================  ==============================================================  ==================
part                        paper                                                           file
==========================  ==============================================================  ==================
landmark subsets            Sec. 4.1 (n_l, n_j, n_p, n_r), reference choice Sec. 3.1         landmarks.py
target / reference sketch   Sec. 3.2 ("draw these landmarks on the image plane")             sketch.py
LandmarkGenerator           Sec. 3.1.1, Eqs. 1-9                                             audio_to_landmark.py
LandmarkTask                Sec. 3.1.2, Eqs. 10-12                                           train_landmarks.py
AlignmentModule             Sec. 3.2.1, Eqs. 13-15                                           alignment.py
TranslationModule           Sec. 3.2.2, Eq. 16                                               translation.py
LandmarkRenderer            Sec. 3.2 (audio encoder + G_a + G_r)                             renderer.py
RendererTask                Sec. 3.2.3, Eqs. 17-20                                           train_renderer.py
training stages, presets    Sec. 3, 4.1                                                      training.py
inference, paste-back       Sec. 3, Fig. 3                                                   pipeline.py
==========================  ==============================================================  ==================
"""
