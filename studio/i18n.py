"""Interface strings in French (default) and English.

Templates use `$name` placeholders filled with `string.Template`, so text a user typed is
only ever a value, never a template.
"""

from __future__ import annotations

from string import Template

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"

MESSAGES: dict[str, tuple[str, str]] = {
    # app shell
    "app.name": ("Studio", "Studio"),
    "nav.catalogue": ("Catalogue", "Catalogue"),
    "nav.admin": ("Administration", "Administration"),
    "nav.logout": ("Se déconnecter", "Sign out"),
    "nav.language": ("Langue", "Language"),
    "nav.skip": ("Aller au contenu", "Skip to content"),
    # login
    "login.title": ("Connexion", "Sign in"),
    "login.email": ("Adresse e-mail", "E-mail address"),
    "login.password": ("Mot de passe", "Password"),
    "login.submit": ("Se connecter", "Sign in"),
    "login.invalid": (
        "E-mail ou mot de passe incorrect. Vérifiez-les et réessayez.",
        "Wrong e-mail or password. Check them and try again.",
    ),
    "login.rate_limited": (
        "Trop de tentatives de connexion. Patientez $minutes minutes avant de réessayer, "
        "ou demandez à un administrateur de réinitialiser votre mot de passe.",
        "Too many sign-in attempts. Wait $minutes minutes before trying again, or ask an "
        "administrator to reset your password.",
    ),
    "login.expired_form": (
        "Le formulaire a expiré. Saisissez à nouveau vos identifiants.",
        "The form expired. Enter your credentials again.",
    ),
    "login.signed_out": ("Vous êtes déconnecté.", "You are signed out."),
    "login.tagline": (
        "Tableaux de bord et récits de données pour les collectivités",
        "Dashboards and data stories for public authorities",
    ),
    # home
    "home.title": ("Catalogue", "Catalogue"),
    "home.welcome": ("Bienvenue, $name", "Welcome, $name"),
    "home.empty.title": ("Votre catalogue est vide", "Your catalogue is empty"),
    "home.empty.editor": (
        "Commencez par importer un jeu de données (CSV, Excel, GeoJSON ou Parquet) : "
        "vous pourrez ensuite en faire des graphiques, des cartes et des indicateurs, "
        "puis les assembler en tableaux de bord.",
        "Start by importing a dataset (CSV, Excel, GeoJSON or Parquet): you can then turn "
        "it into charts, maps and KPI tiles, and assemble them into dashboards.",
    ),
    "home.empty.viewer": (
        "Aucun tableau de bord ne vous est encore partagé. Demandez à un éditeur de votre "
        "organisation de vous en partager un.",
        "No dashboard has been shared with you yet. Ask an editor in your organisation to "
        "share one with you.",
    ),
    # errors
    "error.forbidden": (
        "Vous n'avez pas accès à cette page. Demandez l'accès à un administrateur.",
        "You do not have access to this page. Ask an administrator for access.",
    ),
    "error.not_found": ("Page introuvable.", "Page not found."),
    "error.cross_site": (
        "Requête refusée : elle ne vient pas d'une page de Studio. Rechargez la page et "
        "recommencez ; un script doit s'authentifier avec un jeton d'API (Authorization: "
        "Bearer).",
        "Request refused: it does not come from a Studio page. Reload the page and try "
        "again; a script must authenticate with an API token (Authorization: Bearer).",
    ),
    "error.back_home": ("Retour au catalogue", "Back to the catalogue"),
    "error.auth_required": (
        "Connexion requise : connectez-vous ou fournissez un jeton d'API valide.",
        "Sign-in required: sign in or send a valid API token.",
    ),
    "error.internal": (
        "Une erreur inattendue s'est produite. Réessayez ; si elle persiste, signalez-la à "
        "votre administrateur.",
        "An unexpected error occurred. Try again; if it persists, report it to your administrator.",
    ),
    "error.unavailable": (
        "Service momentanément indisponible : la base de données ne répond pas. Réessayez "
        "dans quelques instants ; si cela dure, prévenez votre administrateur.",
        "Service temporarily unavailable: the database is not answering. Try again in a "
        "few moments; if it lasts, tell your administrator.",
    ),
    "error.unavailable.title": ("Service momentanément indisponible", "Service unavailable"),
    "error.unavailable.page": (
        "La base de données de Studio ne répond pas. Réessayez dans quelques instants ; si "
        "cela dure, prévenez votre administrateur.",
        "Studio's database is not answering. Try again in a few moments; if it lasts, tell "
        "your administrator.",
    ),
    "error.retry": ("Réessayer", "Try again"),
    # admin
    "admin.title": ("Administration", "Administration"),
    "admin.users": ("Utilisateurs", "Users"),
    "admin.create": ("Créer un utilisateur", "Create a user"),
    "admin.edit": ("Modifier un utilisateur", "Edit a user"),
    "admin.email": ("E-mail", "E-mail"),
    "admin.name": ("Nom", "Name"),
    "admin.role": ("Rôle", "Role"),
    "admin.groups": ("Groupes", "Groups"),
    "admin.groups_help": (
        "Séparez les groupes par des virgules (ex. : CD53, Observatoire).",
        "Separate groups with commas (e.g. CD53, Observatory).",
    ),
    "admin.status": ("État", "Status"),
    "admin.active": ("Actif", "Active"),
    "admin.disabled": ("Désactivé", "Disabled"),
    "admin.disable": ("Désactiver le compte", "Disable the account"),
    "admin.password_optional": (
        "Mot de passe (laisser vide pour en générer un)",
        "Password (leave empty to generate one)",
    ),
    "admin.submit_create": ("Créer", "Create"),
    "admin.submit_save": ("Enregistrer", "Save"),
    "admin.reset_password": ("Réinitialiser le mot de passe", "Reset password"),
    "admin.pick_user": ("Choisissez un utilisateur", "Choose a user"),
    "admin.created": ("Utilisateur $email créé.", "User $email created."),
    "admin.generated": (
        "Mot de passe généré (affiché une seule fois, transmettez-le de façon sûre) : $password",
        "Generated password (shown once, pass it on securely): $password",
    ),
    "admin.saved": ("Modifications enregistrées pour $email.", "Changes saved for $email."),
    "admin.reset_done": (
        "Mot de passe réinitialisé pour $email : ses sessions ouvertes sont fermées, ses jetons "
        "d'API et les jetons d'intégration qu'il a émis sont révoqués.",
        "Password reset for $email: their open sessions are closed, their API tokens and the "
        "embed tokens they issued are revoked.",
    ),
    "admin.self_lockout": (
        "Vous ne pouvez pas retirer votre propre rôle d'administrateur ni désactiver votre "
        "compte : demandez-le à un autre administrateur.",
        "You cannot remove your own admin role or disable your own account: ask another "
        "administrator.",
    ),
    "admin.error.exists": (
        "Un utilisateur avec cet e-mail existe déjà.",
        "A user with this e-mail already exists.",
    ),
    "admin.error.email": (
        "Adresse e-mail invalide : vérifiez son format (nom@domaine.fr).",
        "Invalid e-mail address: check its format (name@domain.org).",
    ),
    "admin.error.password": (
        "Le mot de passe doit contenir au moins 10 caractères.",
        "The password needs at least 10 characters.",
    ),
    "admin.error.group": (
        "Nom de groupe invalide : lettres, chiffres, espaces, points et tirets uniquement.",
        "Invalid group name: letters, digits, spaces, dots and dashes only.",
    ),
    "admin.audit": ("Journal d'audit", "Audit log"),
    "admin.audit.when": ("Date", "When"),
    "admin.audit.who": ("Qui", "Who"),
    "admin.audit.what": ("Action", "Action"),
    "admin.audit.object": ("Objet", "Object"),
    "role.admin": ("Administrateur", "Administrator"),
    "role.editor": ("Éditeur", "Editor"),
    "role.viewer": ("Lecteur", "Viewer"),
}


def register(messages: dict[str, tuple[str, str]]) -> None:
    """Add a module's own (French, English) strings; a key may not get two meanings."""
    clash = {k for k in messages if k in MESSAGES and MESSAGES[k] != messages[k]}
    if clash:
        raise ValueError(f"message keys defined twice: {sorted(clash)}")
    MESSAGES.update(messages)


def normalise_locale(locale: str | None) -> str:
    """`locale` if supported, else the default."""
    return locale if locale in LOCALES else DEFAULT_LOCALE


def t(key: str, locale: str | None = None, **params: object) -> str:
    """The message `key` in `locale`, with `$name` placeholders filled from `params`."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if normalise_locale(locale) == "en" else pair[0]
    if params:
        return Template(text).safe_substitute({k: str(v) for k, v in params.items()})
    return text


def best_locale(accept_languages: list[str], default: str = DEFAULT_LOCALE) -> str:
    """The first supported language in a browser's preference list."""
    for lang in accept_languages:
        code = lang.split("-")[0].lower()
        if code in LOCALES:
            return code
    return default
