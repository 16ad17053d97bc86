"""Language: normalisation, transliteration, stemming, detection, interface catalogs."""
