"""Document rules on hand-made texts and spans: each case fails without its rule (no model)."""

from __future__ import annotations

import pytest

from ner_cli import document_rules as dr
from ner_cli.rules import Span


def spans(text: str, *found: tuple[str, str]) -> list[Span]:
    """Spans for (surface, label) pairs, each at its first occurrence after the previous."""
    out, position = [], 0
    for surface, label in found:
        start = text.index(surface, position)
        out.append(Span(start, start + len(surface), label))
        position = start + len(surface)
    return out


def shown(text: str, result: list[Span]) -> list[tuple[str, str]]:
    return [(text[s.start:s.end], s.label) for s in result]


def test_known_names_relabel_and_find_what_the_model_missed():
    text = "La Russie a reçu une délégation du Mali. Puis la Russie a signé."
    result = dr.known_names(text, spans(text, ("Russie", "PER"), ("Mali", "ORG")))
    assert shown(text, result) == [("Russie", "LOC"), ("Mali", "LOC"), ("Russie", "LOC")]


def test_known_names_skip_a_word_inside_a_longer_unknown_name():
    text = "Elle a rencontré Paris Hilton hier."
    assert dr.known_names(text, []) == []


def test_known_names_take_an_elided_article_off_at_a_sentence_start():
    text = "« L'Italie a plus de risques », dit-il."
    assert shown(text, dr.known_names(text, spans(text, ("L'Italie", "LOC")))) == [
        ("Italie", "LOC")]


def test_media_longest_name_wins_and_media_heads_give_org():
    text = "Une journaliste de France 24 a parlé à la revue Nature."
    found = spans(text, ("France", "LOC"), ("Nature", "MISC"))
    assert shown(text, dr.media(text, found)) == [("France 24", "ORG"), ("Nature", "ORG")]


def test_seats_of_power_are_org_but_a_place_after_a_preposition_of_place():
    text = "Le Kremlin a répondu. Le conseil s'est tenu à l'Élysée."
    found = spans(text, ("Kremlin", "PER"), ("Élysée", "LOC"))
    assert shown(text, dr.seats_of_power(text, found)) == [("Kremlin", "ORG"),
                                                           ("Élysée", "LOC")]


def test_place_heads_take_the_head_and_give_the_label():
    text = ("Ils étaient sur la place Tahrir, puis à l'hôpital Sao Joao et à l'ambassade des "
            "Etats-Unis.")
    found = spans(text, ("Tahrir", "ORG"), ("Sao Joao", "LOC"), ("Etats-Unis", "LOC"))
    assert shown(text, dr.place_heads(text, found)) == [
        ("place Tahrir", "LOC"), ("hôpital Sao Joao", "ORG"),
        ("ambassade des Etats-Unis", "LOC")]


def test_place_heads_leave_a_person_after_a_place_head_with_de():
    text = "Il a parlé à la place de Marie Dupont."
    found = spans(text, ("Marie Dupont", "PER"))
    assert shown(text, dr.place_heads(text, found)) == [("Marie Dupont", "PER")]


def test_place_heads_outside_head_makes_a_place():
    text = "Le contrôle de la province de la Kapisa est transféré."
    assert shown(text, dr.place_heads(text, spans(text, ("Kapisa", "ORG")))) == [
        ("Kapisa", "LOC")]


def test_trailing_place_splits_a_name_and_its_town():
    text = "Incendie sur le pont Mathilde de Rouen. La Banque de France a parlé."
    found = spans(text, ("pont Mathilde de Rouen", "LOC"), ("Banque de France", "ORG"))
    assert shown(text, dr.trailing_place(text, found)) == [
        ("pont Mathilde", "LOC"), ("Rouen", "LOC"), ("Banque de France", "ORG")]


def test_events_are_misc_with_their_year_or_town():
    text = "Avant les Jeux olympiques de 2012, le salon du Bourget et la tempête Xynthia."
    found = spans(text, ("Bourget", "LOC"), ("Xynthia", "PER"))
    assert shown(text, dr.events(text, found)) == [
        ("Jeux olympiques de 2012", "MISC"), ("salon du Bourget", "MISC"), ("Xynthia", "MISC")]


def test_events_laws_named_act_are_misc():
    text = "Le Stop Online Piracy Act a été retiré."
    found = spans(text, ("Stop Online Piracy Act", "ORG"))
    assert shown(text, dr.events(text, found)) == [("Stop Online Piracy Act", "MISC")]


def test_propagation_finds_other_occurrences_and_lone_surnames():
    text = "Lino Saputo a parlé. Puis Saputo a conclu. Montréal gagne ; à Montréal, la fête."
    found = spans(text, ("Lino Saputo", "PER"), ("Montréal", "LOC"))
    assert shown(text, dr.propagation(text, found)) == [
        ("Lino Saputo", "PER"), ("Saputo", "PER"), ("Montréal", "LOC"), ("Montréal", "LOC")]


def test_surname_particles_complete_a_cut_name():
    text = "Vincent Riou et Armel Le Cléac'h suivent. De Santis a parlé."
    found = spans(text, ("Armel Le", "PER"), ("Cléac'h", "MISC"), ("De Santis", "ORG"))
    assert shown(text, dr.surname_particles(text, found)) == [
        ("Armel Le Cléac'h", "PER"), ("De Santis", "PER")]


def test_nationalities_are_not_entities():
    text = "Des millions d'Européens et un Franco-Marocain. La voix du Camerounais Greg Belobo."
    found = spans(text, ("Européens", "LOC"), ("Franco-Marocain", "PER"),
                  ("Camerounais", "LOC"), ("Greg Belobo", "PER"))
    assert shown(text, dr.nationalities(text, found)) == [("Greg Belobo", "PER")]


def test_portfolios_are_job_titles():
    text = "Le ministre de l'Économie a parlé au ministère de l'Intérieur."
    found = spans(text, ("Économie", "ORG"), ("ministère de l'Intérieur", "ORG"))
    assert shown(text, dr.portfolios(text, found)) == [("ministère de l'Intérieur", "ORG")]


def test_common_words_at_a_sentence_start_are_dropped_names_stay():
    text = "Reconfigurer les sites prendra du temps.\nMacron a parlé. Sommet : le sommet a eu lieu."
    found = spans(text, ("Reconfigurer", "PER"), ("Macron", "PER"), ("Sommet", "MISC"))
    assert shown(text, dr.common_words(text, found)) == [("Macron", "PER")]


def test_common_words_keep_a_word_the_document_writes_as_a_name():
    text = "Total ferme une raffinerie. Le groupe Total a confirmé."
    found = spans(text, ("Total", "ORG"), ("Total", "ORG"))
    assert shown(text, dr.common_words(text, found)) == [("Total", "ORG"), ("Total", "ORG")]


@pytest.mark.parametrize("word", ["Publicité", "VIDÉO", "Photo", "Réactions", "Internet"])
def test_interface_words_are_dropped(word):
    text = f"{word}\nLe texte commence."
    assert dr.interface_words(text, spans(text, (word, "ORG"))) == []


def test_name_edges_keep_a_possessive_and_drop_a_trailing_connector():
    text = "L'agence Moody's a parlé au musée Pointe-à-Callière de Montréal."
    found = spans(text, ("Moody", "ORG"), ("musée Pointe-à-Callière de", "LOC"))
    assert shown(text, dr.name_edges(text, found)) == [
        ("Moody's", "ORG"), ("musée Pointe-à-Callière", "LOC")]


def test_apply_rules_runs_every_rule_and_keeps_spans_ordered_without_overlap():
    text = "Le Kremlin a parlé. Plus tard, le Kremlin a confirmé à Moscou."
    found = spans(text, ("Kremlin", "PER"), ("Moscou", "PER"))
    result = dr.apply_rules(text, found)
    assert shown(text, result) == [("Kremlin", "ORG"), ("Kremlin", "ORG"), ("Moscou", "LOC")]
    assert all(a.end <= b.start for a, b in zip(result, result[1:], strict=False))


def test_common_word_index_comes_from_the_model_lemmatizer():
    assert dr.is_common_word("Réactions") and dr.is_common_word("publicité")
    assert not dr.is_common_word("Macron")


def test_organisation_names_take_the_rest_of_a_long_name():
    text = ("L'Union nationale des déportés, internés et victimes de guerre a voté. "
            "Le Conseil a dit.")
    found = spans(text, ("Union nationale des déportés", "ORG"), ("Conseil", "ORG"))
    assert shown(text, dr.organisation_names(text, found)) == [
        ("Union nationale des déportés, internés et victimes de guerre", "ORG"),
        ("Conseil", "ORG")]


def test_organisation_names_stop_at_a_verb_or_a_clause():
    text = "La Commission européenne, qui a parlé, et la Chambre d'avoir voté."
    found = spans(text, ("Commission européenne", "ORG"), ("Chambre", "ORG"))
    assert shown(text, dr.organisation_names(text, found)) == [
        ("Commission européenne", "ORG"), ("Chambre", "ORG")]


def test_known_names_do_not_add_a_common_word_that_opens_a_sentence():
    text = "Cher ami, le Lot et le Cher ont voté."
    assert shown(text, dr.known_names(text, [])) == [("Lot", "LOC"), ("Cher", "LOC")]


def test_known_names_a_country_joined_to_a_common_noun_is_an_organisation():
    text = "Météo-France prévoit de la neige, dit Atout France ; Asie-Pacifique, Haute-Savoie."
    found = spans(text, ("Météo-France", "LOC"), ("Atout France", "LOC"),
                  ("Asie-Pacifique", "LOC"), ("Haute-Savoie", "LOC"))
    assert shown(text, dr.known_names(text, found)) == [
        ("Météo-France", "ORG"), ("Atout France", "ORG"), ("Asie-Pacifique", "LOC"),
        ("Haute-Savoie", "LOC")]


def test_interface_words_drop_handles_hashtags_and_addresses():
    text = "Suivez @Elysee et #Paris2024 sur www.lemonde.fr ; Paris a voté."
    found = spans(text, ("Elysee", "ORG"), ("Paris2024", "MISC"), ("lemonde.fr", "ORG"),
                  ("Paris", "LOC"))
    assert shown(text, dr.interface_words(text, found)) == [("Paris", "LOC")]


def test_propagation_keeps_a_surname_particle():
    text = "Marine Le Pen a parlé. Selon Le Pen, tout va bien ; Pen n'est pas un nom."
    found = spans(text, ("Marine Le Pen", "PER"))
    assert shown(text, dr.propagation(text, found)) == [("Marine Le Pen", "PER"),
                                                         ("Le Pen", "PER")]


def test_products_model_codes_are_misc_and_join_their_maker():
    text = "La demande pour l'A321neo porte Airbus ; l'Airbus A380 vole ; le G20 se réunit."
    found = spans(text, ("A321neo", "ORG"), ("Airbus", "ORG"), ("Airbus", "ORG"), ("A380", "LOC"),
                  ("G20", "ORG"))
    assert shown(text, dr.products(text, found)) == [
        ("A321neo", "MISC"), ("Airbus", "ORG"), ("Airbus A380", "MISC"), ("G20", "ORG")]


@pytest.mark.parametrize("name", ["known_names", "media", "seats_of_power", "place_heads",
                                  "events", "interface_words", "portfolios", "products"])
def test_lexicon_files_are_lists_of_strings_without_repeats(name):
    from ner_cli import lexicon

    data = lexicon.load(name)
    assert data and all(isinstance(v, list) for v in data.values())
    for entries in data.values():
        assert all(isinstance(e, str) and e == e.strip() and e for e in entries)
        assert len(entries) == len(set(entries))


def test_a_model_without_lookups_gives_no_common_words():
    from ner_cli import lexicon

    assert lexicon.lookups_file("no_such_model_package") is None
    assert lexicon.lemma_index("no_such_model_package") == {}


def test_directions_are_not_places_but_the_region_is():
    text = "Le camion allait vers le Nord depuis l'échangeur Sud. Il pleut dans le Nord."
    found = spans(text, ("Nord", "LOC"), ("Sud", "LOC"), ("Nord", "LOC"))
    assert shown(text, dr.directions(text, found)) == [("Nord", "LOC")]
    assert dr.directions(text, found)[0].start == text.rindex("Nord")


def test_products_a_name_after_a_vehicle_noun_is_misc():
    text = "La capsule Dragon amortisse sa descente ; le voilier Safran arrive ; le groupe Elf."
    found = spans(text, ("Dragon amortisse", "PER"), ("Elf", "ORG"))
    assert shown(text, dr.products(text, found)) == [
        ("Dragon", "MISC"), ("Safran", "MISC"), ("Elf", "ORG")]


def test_overlapping_by_bisection_finds_what_a_scan_finds():
    """``_overlapping`` bisects sorted, non-overlapping spans; a scan is the reference."""
    import random

    from ner_cli.document_rules import _overlapping

    rng = random.Random(7)
    for _ in range(300):
        spans, position = [], 0
        for _ in range(rng.randrange(0, 12)):
            position += rng.randrange(0, 4)
            end = position + rng.randrange(1, 6)
            spans.append(Span(position, end, "LOC"))
            position = end
        start = rng.randrange(0, position + 3)
        end = start + rng.randrange(1, 8)
        scanned = [s for s in spans if s.start < end and start < s.end]
        assert _overlapping(spans, start, end) == scanned
