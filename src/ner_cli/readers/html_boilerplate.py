"""Interface text of French news pages (buttons, labels, banners), recognised on whole lines.

A line is dropped only when the WHOLE line is such a label, and only when it is short (at most
``SHORT_LINE`` words; the cookie-consent rule allows a banner-length paragraph). Nothing is
ever cut out of a line, so prose that happens to contain "Partager" or "publicité" stays.

The list is meant for French news sites in general, grouped by what the text is for: reading
time and date stamps, share/print/save/follow buttons, comment counters, "Lire aussi"
teasers, advertising labels, subscription and newsletter prompts, account links, cookie
consent, legal and navigation links, media captions and credits. Matching is done on a
normalised form of the line: lower case, accents and typographic apostrophes folded,
surrounding bullets and punctuation stripped.
"""

from __future__ import annotations

import re
import unicodedata

SHORT_LINE = 20  # words: a label, or a label followed by a teaser title ("Lire aussi : ...")
COOKIE_LINE = 80  # words: a consent banner is a short paragraph addressed to the reader

_MONTHS = ("janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre"
           "|decembre|janv|fevr|avr|juil|sept|oct|nov|dec")
_DAYS = "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_DATE = (rf"(?:(?:le )?(?:(?:{_DAYS}) )?\d{{1,2}}(?:er)? (?:{_MONTHS})\.?(?: \d{{4}})?"
         r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|aujourd'hui|hier|il y a \d+ \w+)")
_TIME = r"(?:,? (?:a|-) \d{1,2} ?[h:] ?\d{0,2}(?: ?min)?)"
_STAMP = r"(?:publie|mis a jour|mise a jour|modifie|actualise|maj|poste|edite)e?"

_PATTERNS = [
    # reading or listening time, audio player
    r"(?:temps|duree) de lecture\b.*",
    r"(?:lecture|ecoute) ?:? ?\d+ ?(?:min|minutes?|mn)\.?",
    r"\d+ ?(?:min|minutes?|mn)\.? (?:de lecture|a lire|d'ecoute|de video)",
    r"(?:ecouter|lire) (?:cet |l')?article(?: \(\d+ ?(?:min|mn)\))?",
    r"ecouter(?: \d+ ?(?:min|mn))?",
    # date stamps (a label with a date in it, or a date alone), a byline and a reading
    # time beside it (spans side by side in one line)
    rf"(?:par .{{1,60}}?,? )?{_STAMP} (?:le |depuis )?:? ?(?:{_DATE}|\d{{1,2}} ?h ?\d{{0,2}})"
    rf"{_TIME}?(?:[ ,|·•-]+(?:et )?(?:{_STAMP}|par|(?:temps de )?lecture|\d+ ?min)\b.*)?",
    rf"{_DATE}{_TIME}?",
    # share, print, save, follow
    r"partager(?: (?:cet|l')article)?(?: (?:sur|par|via) .*)?",
    r"(?:envoyer|transmettre) (?:par (?:e-?mail|mail|courriel|sms)|a un ami|l'article)",
    r"(?:copier|copiez) (?:le )?lien(?: de l'article)?|lien copie",
    r"imprimer(?: (?:cet |l')article| la page)?",
    r"(?:ajouter|ajoute|enregistrer|sauvegarder|retirer|supprimer)"
    r"(?: (?:a|de|dans|aux) (?:mes|ma|vos|votre|la|les) (?:favoris|liste|selection|lectures))?"
    r"(?: (?:cet |l')article)?",
    r"(?:mes |ajouter aux |vos )?favoris",
    r"offrir (?:cet |l')article",
    r"(?:\+ ?)?(?:suivre|nous suivre|suivez-nous|suivez nous)"
    r"(?: (?:ce sujet|cet auteur|ce journaliste|ce theme|cette thematique|sur .*))?",
    # comments and reactions
    r"(?:\d+ )?(?:reactions?|commentaires?|avis)(?: \(\d+\))?",
    r"(?:voir|lire|afficher|masquer) (?:les |tous les |la )?(?:\d+ )?"
    r"(?:commentaires?|reactions?|discussion)",
    r"(?:reagir|commenter|donnez votre avis|donner mon avis|laisser un commentaire"
    r"|ecrire un commentaire|signaler(?: un abus| un contenu)?)(?: (?:a )?cet article)?",
    # teasers of other articles
    r"(?:a )?(?:lire|voir) (?:aussi|egalement|encore|notre dossier)\b.*",
    r"(?:sur le meme (?:sujet|theme)|dans la meme rubrique|a decouvrir(?: aussi)?"
    r"|a ne pas manquer|vous aimerez (?:aussi|peut-etre aussi)|vous pourriez (?:aussi )?aimer"
    r"|recommande pour vous|nos recommandations|articles? (?:similaires|associes|lies)"
    r"|les (?:articles )?plus (?:lus|partages|commentes)|les plus lus|les dernieres actualites"
    r"|toute l'actu(?:alite)?\b.*|voir (?:plus|tout|tous les articles)|afficher plus"
    r"|charger plus|plus d'articles|lire la suite|en savoir plus|lire plus|continuer la lecture"
    r"|nos dossiers|ces articles peuvent vous interesser|(?:sujets|themes) associes"
    r"|mots-cles|tags|dans l'actualite|derniere minute|en continu|a la une)(?: ?:.*)?",
    # advertising
    r"(?:publicite|pub|annonce|sponsorise|partenaire|contenu (?:sponsorise|partenaire|de marque)"
    r"|article sponsorise|publi-?redactionnel|publireportage|en partenariat avec .*)",
    # subscription, newsletter, account, paywall
    r"(?:abonnez-vous|abonnez vous|s'abonner|je m'abonne|m'abonner|inscrivez-vous|je m'inscris"
    r"|connectez-vous|identifiez-vous|se connecter|newsletters?)\b.*",
    r"abonnement|abonne|abonnes|s'inscrire|inscription|connexion|deconnexion|mon compte"
    r"|mon espace|creer (?:un|mon) compte|premium|exclusif|exclusif abonnes",
    r"(?:deja abonne|pas encore abonne|vous etes abonne)\b.*",
    r"(?:article |contenu )?(?:reserve|reservee) aux abonnes\b.*",
    r"(?:la suite|cet article|la suite de cet article) est reservee? aux abonnes\b.*",
    r"il vous reste \d+ ?% de (?:cet |l')?article a lire\b.*",
    r"(?:recevez|recevoir|decouvrez) (?:notre|nos|la|les) newsletters?\b.*",
    r"(?:recevez|recevoir|inscrivez-vous)\b.*\b(?:newsletters?|lettres? d'information|alertes?"
    r"|par e-?mail|chaque (?:matin|soir|jour|semaine))\b.*",
    r"(?:offre|offres) (?:speciale|decouverte|d'abonnement|numerique)\b.*",
    r".*\d(?:[,.]\d+)? ?€.*(?:premier mois|sans engagement|resiliable|abonn|offre).*",
    # cookie consent buttons
    r"(?:tout |tous )?(?:accepter|refuser)(?: et (?:fermer|continuer))?(?: tout| les cookies)?",
    r"j'accepte|je refuse|ok|d'accord|valider|fermer|continuer sans accepter",
    r"(?:parametrer|personnaliser|gerer) (?:les |mes |vos )?"
    r"(?:cookies|choix|preferences|parametres|traceurs|consentements?)",
    r"(?:politique|gestion|parametres|preferences) (?:de |des |en matiere de )?cookies",
    # legal and site navigation
    r"(?:©|\(c\)|copyright)\s*.*",
    r".{0,60}tous droits (?:de reproduction )?reserves\b.*",
    r"(?:mentions legales|politique de confidentialite|donnees personnelles"
    r"|conditions generales(?: d'utilisation| de vente)?|cgu|cgv|plan du site"
    r"|contact(?:ez-nous)?|nous contacter|qui sommes-nous|accessibilite(?: ?: .*)?"
    r"|charte (?:de moderation|des commentaires|de confidentialite)|faq|aide|recrutement"
    r"|nous rejoindre|annonces legales|avis de deces)",
    r"(?:accueil|menu|rechercher|recherche|retour(?: en haut(?: de (?:la )?page)?"
    r"| a l'accueil| aux articles)?|haut de page|suivant|precedent|page (?:suivante|precedente)"
    r"|aller au contenu(?: principal)?|passer au contenu|(?:ouvrir|fermer) le menu"
    r"|toutes les rubriques|services)",
    # media players, galleries, credits
    r"(?:voir|regarder|lancer|revoir) (?:la |le |les )?"
    r"(?:video|diaporama|photos|galerie|infographie|replay)\b.*",
    r"(?:video|videos|photo|photos|diaporama|galerie|infographie|podcast|audio|live"
    r"|en direct|direct|agrandir(?: l'image)?|plein ecran|lecture|pause)",
    r"(?:credits? photos?|photo|photos|illustration|image) ?:.*",
]
_LABEL = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))

# A line made only of these words is a row of share buttons ("Facebook Twitter E-mail").
_SHARE_WORDS = {"partager", "partagez", "facebook", "twitter", "x", "linkedin", "whatsapp",
                "messenger", "telegram", "pinterest", "flipboard", "bluesky", "threads",
                "instagram", "youtube", "tiktok", "snapchat", "reddit", "e-mail", "email",
                "mail", "courriel", "sms", "imprimer", "copier", "lien", "tweeter", "rss"}
_SHARE_FILLER = {"sur", "par", "le", "la", "l'", "via", "cet", "article", "et"}

_COOKIE = re.compile(r"\b(?:cookies?|traceurs?)\b")
_READER = re.compile(r"\b(?:vous|votre|vos|nos partenaires)\b")
_CONSENT = re.compile(r"\b(?:accept|consent|navigation|parametr|refus|personnalis)")

_BREADCRUMB = re.compile(r"\s*[›>»/|]\s*")
_STRIP = " \t-–—•·|›>»«:*+#"


def normalise(line: str) -> str:
    """Lower case, accents and apostrophes folded, spaces collapsed, bullets stripped."""
    text = unicodedata.normalize("NFD", line.casefold().replace("’", "'").replace("ʼ", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = " ".join(text.split()).strip(_STRIP).rstrip(".!").strip(_STRIP)
    if text[:1] + text[-1:] in ("()", "[]"):  # "[Publicité]", "(Vidéo)"
        text = text[1:-1].strip(_STRIP)
    return text


def is_boilerplate(line: str) -> bool:
    """True if the whole line is interface text of a news page, not something to read."""
    text = normalise(line)
    if not any(c.isalpha() for c in text):
        return True  # "›", "|", "12", "***": nothing a reader reads as text
    words = text.split()
    if len(words) <= COOKIE_LINE and _COOKIE.search(text) and _READER.search(text) \
            and _CONSENT.search(text):
        return True
    if len(words) > SHORT_LINE:
        return False
    if _LABEL.fullmatch(text):
        return True
    if set(words) <= _SHARE_WORDS | _SHARE_FILLER and set(words) & _SHARE_WORDS:
        return True
    parts = [p for p in _BREADCRUMB.split(text) if p]
    return len(parts) > 1 and parts[0] == "accueil" and all(len(p.split()) <= 4 for p in parts)
