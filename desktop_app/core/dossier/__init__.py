"""One dossier per model version (`service` gathers it, `html` lays it out, `charts` draws its pictures)."""
