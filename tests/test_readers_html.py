"""Saved news pages -> the text a person reads: one line per block, headline first, no
interface text, and an error for a page with no article (tests/data/html/, written by hand)."""

from __future__ import annotations

import json
import shutil

import pytest

from ner_cli.errors import InputError
from ner_cli.readers.html import MARKERS, html_to_text, strip_site_name
from ner_cli.readers.html_boilerplate import is_boilerplate
from tests.conftest import DATA

PAGES = DATA / "html"


def page(name: str) -> str:
    return (PAGES / name).read_text(encoding="utf-8")


def lines_of(name: str) -> list[str]:
    return html_to_text(page(name)).split("\n")


def test_a_normal_article_comes_out_intact():
    assert lines_of("article.html") == [
        "Grenoble : la ligne de tramway E prolongée jusqu'à Crolles en 2027",
        "Le syndicat des mobilités de l'agglomération a voté jeudi soir le prolongement de la "
        "ligne E vers le Grésivaudan, un chantier estimé à 240 millions d'euros.",
        "Réunis au siège de la Métropole, les élus du Syndicat mixte des mobilités de l'aire "
        "grenobloise ont adopté le projet par 38 voix contre 4. Le tracé retenu longe l'Isère "
        "sur douze kilomètres et dessert Montbonnot, Saint-Ismier et Crolles, où travaillent "
        "plus de 6 000 salariés du pôle des semi-conducteurs.",
        "« C'est la fin d'un embouteillage quotidien pour des milliers de familles », a salué "
        "Nathalie Ferrand, vice-présidente chargée des transports. L'opposition municipale, "
        "emmenée par Julien Marchetti, a dénoncé un calendrier « irréaliste » et réclamé une "
        "étude indépendante sur les coûts.",
        "Une mise en service prévue à l'automne 2027",
        "Les travaux de déviation des réseaux doivent commencer au printemps prochain. La Région "
        "Auvergne-Rhône-Alpes financera un quart de l'opération, l'État une part équivalente "
        "dans le cadre du contrat de plan, et l'entreprise STMicroelectronics participera à "
        "l'aménagement de la station desservant son site.",
        "Le préfet de l'Isère, Laurent Quéméneur, doit encore signer la déclaration d'utilité "
        "publique, attendue avant la fin de l'année.",
    ]


def test_blocks_end_lines_no_glued_words():
    # div/span layouts, a "Lire aussi" link block between two spans of text, a list inside a
    # div after its text, a <br>, a blockquote right after a figure: trafilatura alone glues
    # "...soutien.Selon Météo-France" and drops the headline and the standfirst.
    assert lines_of("glued-blocks.html") == [
        "Sécheresse : les éleveurs de la Drôme réclament des aides d'urgence",
        "L'Office départemental de l'eau a publié mardi un bilan alarmant pour la vallée de la "
        "Drôme.",
        "Les nappes phréatiques du département sont à leur plus bas niveau depuis 1976, selon "
        "ce rapport transmis à la préfecture de Valence.",
        "À Crest, l'éleveuse Jeanne Mercier a déjà vendu un tiers de son troupeau faute de "
        "fourrage.",
        "La Fédération départementale des syndicats d'exploitants agricoles demande au "
        "gouvernement un fonds de soutien.",
        "Selon Météo-France, aucune pluie significative n'est attendue avant la fin du mois "
        "d'août.",
        "Les mesures de restriction déjà en vigueur dans la Drôme :",
        "interdiction d'arroser les jardins entre 8 heures et 20 heures",
        "interdiction de remplir les piscines privées",
        "prélèvements agricoles réduits de moitié",
        "Le préfet Arnaud Delorme réunira les maires du Diois lundi.",
        "Une cellule de crise a été ouverte à Die, où la rivière est à sec sur quatre "
        "kilomètres.",
        "« Nous n'avons jamais connu un été pareil », confie Jeanne Mercier.",
        "La Chambre d'agriculture tiendra une réunion publique jeudi soir à Valence, salle "
        "Charles-Trenet.",
    ]


PROSE = ("<p>Le conseil municipal de Rouen a adopté lundi soir le budget de l'année prochaine, "
         "marqué par une hausse des dépenses consacrées aux écoles et aux transports publics. "
         "L'opposition a voté contre le texte, jugeant les investissements trop modestes.</p>")


def wrap(body: str, head: str = "<title>Rouen : le budget adopté - Paris-Normandie</title>") -> str:
    return (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'>{head}</head><body>"
            f"<main><article>{body}{PROSE}</article></main></body></html>")


@pytest.mark.parametrize(("body", "expected"), [
    ("<div>Agriculture<div>L'Office national des forêts a publié un bilan.</div></div>",
     ["Agriculture", "L'Office national des forêts a publié un bilan."]),
    ("<div><span>Lire la suite</span></div><p>Le maire a répondu.<a href='/x'>Les "
     "explications du maire</a>Il sera reçu mardi.</p>",
     ["Le maire a répondu. Les explications du maire Il sera reçu mardi."]),
    ("<ul><li>Rouen</li><li>Le Havre</li><li>Dieppe</li></ul>",
     ["Rouen", "Le Havre", "Dieppe"]),
    ("<table><tr><td>Premier tour</td><td><div>Second tour</div></td></tr></table>",
     ["Premier tour", "Second tour"]),
])
def test_small_layouts_around_prose(body, expected):
    lines = html_to_text(wrap(body)).split("\n")
    assert lines[0] == "Rouen : le budget adopté"  # the <title> without the site name
    assert lines[1:-1] == expected
    assert lines[-1].startswith("Le conseil municipal de Rouen a adopté")


def test_headline_only_in_h1_is_the_first_line_once():
    lines = lines_of("headline-h1.html")
    assert lines[0] == "Metz : le centre Pompidou accueillera une rétrospective Rosa Bonheur"
    assert lines.count(lines[0]) == 1
    assert "La Gazette de Lorraine" not in lines  # the <title> is only the site's name
    assert lines[1].startswith("Le Centre Pompidou-Metz présentera à partir d'octobre")


def test_headline_only_in_og_title():
    lines = lines_of("headline-og.html")
    assert lines[:3] == [
        "Brest : la base navale recrute 400 marins d'ici l'été",
        "Défense",
        "La Marine nationale lance une campagne de recrutement inédite à Brest, où 400 postes "
        "de marins et de techniciens sont à pourvoir avant le mois de juillet. Les candidats "
        "seront reçus au centre d'information des forces armées, rue de Siam, tous les "
        "mercredis.",
    ]
    assert len(lines) == 5


def test_headline_kept_by_trafilatura_is_not_repeated():
    html = wrap("<h1>Rouen vote son budget</h1>")
    assert html_to_text(html).split("\n")[:2] == [
        "Rouen vote son budget", "Le conseil municipal de Rouen a adopté lundi soir le budget "
        "de l'année prochaine, marqué par une hausse des dépenses consacrées aux écoles et aux "
        "transports publics. L'opposition a voté contre le texte, jugeant les investissements "
        "trop modestes."]


@pytest.mark.parametrize(("h1", "headline"), [
    ("Rouen<br>Le budget des écoles adopté", "Rouen Le budget des écoles adopté"),
    ("<span class='kicker'>Politique</span>Le budget adopté", "Politique Le budget adopté"),
])
def test_an_h1_in_pieces_is_one_first_line(h1, headline):
    lines = html_to_text(wrap(f"<h1>{h1}</h1>")).split("\n")
    assert lines[0] == headline
    assert lines[1].startswith("Le conseil municipal de Rouen")


@pytest.mark.parametrize(("header", "headline"), [
    ("<header><h1>Paris-Normandie</h1></header>", "Budget : Rouen investit dans ses écoles"),
    ("<header><h1><a href='/'><img src='logo.svg' alt=''></a></h1></header>",
     "Budget : Rouen investit dans ses écoles"),
    ("<div class='logo'><a href='/'><h1>Le Quotidien</h1></a></div>",
     "Budget : Rouen investit dans ses écoles"),
    ("<header><h1><a href='/'>Le Quotidien</a></h1></header>"
     "<header class='article-header'><h1>Rouen vote son budget</h1></header>",
     "Rouen vote son budget"),
])
def test_a_logo_in_an_h1_is_not_the_headline(header, headline):
    html = wrap("", head="<title>Budget : Rouen investit dans ses écoles | Paris-Normandie"
                "</title>").replace("<body>", f"<body>{header}")
    assert html_to_text(html).split("\n")[0] == headline


@pytest.mark.parametrize(("title", "site", "expected"), [
    ("Grève à la SNCF : le trafic perturbé jeudi - Le Monde", None,
     "Grève à la SNCF : le trafic perturbé jeudi"),
    ("Rennes : le métro à l'arrêt | Ouest-France", None, "Rennes : le métro à l'arrêt"),
    ("Le Figaro - Présidentielle : les sondages se resserrent", "Le Figaro",
     "Présidentielle : les sondages se resserrent"),
    ("Guerre en Ukraine - Les combats s'intensifient autour de Kharkiv dans la nuit", None,
     "Guerre en Ukraine - Les combats s'intensifient autour de Kharkiv dans la nuit"),
    ("Sans séparateur", None, "Sans séparateur"),
])
def test_site_name_stripped_from_title(title, site, expected):
    assert strip_site_name(title, site, only_site=False) == expected


def test_og_title_loses_only_the_site_name():
    og = "Vendée Globe - Le départ reporté"
    assert strip_site_name(og, None, only_site=True) == og
    assert strip_site_name(og + " | Sud Ouest", "Sud Ouest", only_site=True) == og


def test_interface_lines_are_dropped_prose_kept():
    lines = lines_of("boilerplate.html")
    assert lines[0] == "Nantes : un nouveau pont sur la Loire inauguré samedi"
    assert [line[:40] for line in lines[1:]] == [
        "Le pont Anne-de-Bretagne bis, qui relie ",
        "Le chantier, confié au groupement Vinci ",
        "Des riverains de la rue de la Tour-d'Auv",
    ]
    text = "\n".join(lines)
    for label in ("Temps de lecture", "lire aussi", "Publicité", "Abonnez-vous", "Offre spéciale",
                  "Déjà abonné", "Partager", "favoris", "cookies", "Photo :", "Réactions",
                  "Tous droits réservés"):
        assert label not in text


@pytest.mark.parametrize("line", [
    "Temps de lecture : 3 min", "Lecture : 5 min", "4 min de lecture", "Écouter cet article",
    "Publié le 12 mars 2024 à 08h15", "Publié le 12 mars 2024 à 08h15, mis à jour à 10h02",
    "Par Claire Dubois Publié le 12 mars 2024 à 08h15 · Temps de lecture : 3 min",
    "Mis à jour le 12/03/2024 à 10:30", "Publié il y a 3 heures", "Le mardi 12 mars 2024",
    "Ajouter à mes favoris", "Partager", "Partager sur Facebook", "Facebook Twitter E-mail",
    "Copier le lien", "Imprimer", "Suivre", "Suivez-nous sur Instagram", "Réactions",
    "Réactions (12)", "12 commentaires", "[Publicité]", "Réagir à cet article", "Lire aussi",
    "À lire aussi :",
    "Lire aussi : La FNSEA réclame un plan d'urgence", "Sur le même sujet", "Les plus lus",
    "Publicité", "Contenu sponsorisé", "Abonnez-vous", "Je m'abonne", "Déjà abonné ? Se connecter",
    "Article réservé aux abonnés", "Il vous reste 75 % de cet article à lire.",
    "Offre spéciale : 1 € le premier mois", "Abonnez-vous à notre newsletter",
    "Recevez chaque matin l'essentiel de l'actualité nantaise.",
    "Tout accepter", "Continuer sans accepter", "Paramétrer les cookies",
    "Nous utilisons des cookies pour améliorer votre expérience. En poursuivant votre "
    "navigation, vous acceptez leur utilisation.",
    "© Le Courrier du Sud 2024", "Le Journal - Tous droits réservés", "Mentions légales",
    "Politique de confidentialité", "Accueil › Économie › Agriculture", "Retour en haut",
    "Voir la vidéo", "Photo : AFP / Jean Martin", "›", "|",
])
def test_interface_labels(line):
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", [
    "Emmanuel Macron a reçu Olaf Scholz à Paris.",
    "Publiée en 2021, l'étude portait sur 3 000 patients.",
    "Par ailleurs, publiée le 12 mars, la note du Trésor prévoit une hausse.",
    "Par Claire Dubois",
    "Inscription sur les listes électorales : la date limite approche",
    "Les internautes pourront partager leurs photos sur le site de la mairie.",
    "La publicité pour les paris sportifs sera encadrée dès janvier.",
    "La CNIL a infligé une amende à Google pour ses cookies publicitaires.",
    "Agriculture", "Défense", "Une mise en service prévue à l'automne 2027",
    "Exclusif : le ministre de l'Intérieur prépare une loi sur la sécurité",
])
def test_prose_and_headings_are_not_interface(line):
    assert not is_boilerplate(line)


def test_a_template_page_raises_with_the_reason():
    with pytest.raises(InputError) as error:
        html_to_text(page("template.html"))
    assert str(error.value) == ("no article text found in the HTML page "
                                "(only 0 words of prose, 30 needed)")


@pytest.mark.parametrize("html", ["", "   ", "<html></html>", "\x00\x01", "<p>Bonjour.</p>"])
def test_no_page_at_all_raises(html):
    with pytest.raises(InputError, match=r"^no article text found in the HTML page \(only"):
        html_to_text(html)


def test_a_page_that_contains_the_marker_characters():
    text = html_to_text(page("article.html").replace("</article>",
                                                     f"<p>{MARKERS[0]}</p></article>"))
    assert text == html_to_text(page("article.html"))


def test_extract_gives_an_error_record_for_a_template_and_goes_on(cli, tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for name in ("article.html", "template.html"):
        shutil.copy(PAGES / name, folder / name)
    result = cli("extract", folder, "--format", "jsonl", "--include-text", "-q")
    records = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert result.exit_code == 1
    assert records["template.html"]["error"] == ("no article text found in the HTML page "
                                                 "(only 0 words of prose, 30 needed)")
    good = records["article.html"]
    assert "error" not in good
    assert good["text"] == html_to_text(page("article.html"))
    assert all(good["text"][e["start"]:e["end"]] == e["text"] for e in good["entities"])
    assert {"Grenoble", "Nathalie Ferrand", "Julien Marchetti"} <= \
        {e["text"] for e in good["entities"]}
    assert all("\n" not in e["text"] for e in good["entities"])
