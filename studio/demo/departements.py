"""The 101 départements (96 metropolitan, 5 overseas): INSEE code, name, région code, and
the order of magnitude of their RSA caseload (households, in hundreds, end of 2019).

The magnitudes are rounded from DREES's published series only to give the fictitious demo
data realistic proportions; every figure the demo shows is generated, not real.
"""

from __future__ import annotations

from typing import NamedTuple


class Departement(NamedTuple):
    """One département: code (text, leading zeros kept), name, région code, caseload scale."""

    code: str
    nom: str
    region: str
    foyers_centaines: int


_TABLE = """\
01;Ain;84;77
02;Aisne;32;181
03;Allier;84;101
04;Alpes-de-Haute-Provence;93;44
05;Hautes-Alpes;93;30
06;Alpes-Maritimes;93;231
07;Ardèche;84;66
08;Ardennes;44;106
09;Ariège;76;64
10;Aube;44;96
11;Aude;76;162
12;Aveyron;76;44
13;Bouches-du-Rhône;93;785
14;Calvados;28;144
15;Cantal;84;23
16;Charente;75;107
17;Charente-Maritime;75;161
18;Cher;24;94
19;Corrèze;75;32
21;Côte-d'Or;27;100
22;Côtes-d'Armor;53;111
23;Creuse;75;26
24;Dordogne;75;107
25;Doubs;27;121
26;Drôme;84;119
27;Eure;28;134
28;Eure-et-Loir;24;86
29;Finistère;53;177
2A;Corse-du-Sud;94;30
2B;Haute-Corse;94;36
30;Gard;76;314
31;Haute-Garonne;76;373
32;Gers;76;40
33;Gironde;75;414
34;Hérault;76;416
35;Ille-et-Vilaine;53;176
36;Indre;24;53
37;Indre-et-Loire;24;137
38;Isère;84;230
39;Jura;27;36
40;Landes;75;82
41;Loir-et-Cher;24;71
42;Loire;84;171
43;Haute-Loire;84;31
44;Loire-Atlantique;52;300
45;Loiret;24;159
46;Lot;76;40
47;Lot-et-Garonne;75;97
48;Lozère;76;13
49;Maine-et-Loire;52;157
50;Manche;28;76
51;Marne;44;145
52;Haute-Marne;44;44
53;Mayenne;52;39
54;Meurthe-et-Moselle;44;220
55;Meuse;44;50
56;Morbihan;53;138
57;Moselle;44;269
58;Nièvre;27;57
59;Nord;32;1093
60;Oise;32;203
61;Orne;28;70
62;Pas-de-Calais;32;557
63;Puy-de-Dôme;84;160
64;Pyrénées-Atlantiques;75;148
65;Hautes-Pyrénées;76;56
66;Pyrénées-Orientales;76;232
67;Bas-Rhin;44;275
68;Haut-Rhin;44;153
69;Rhône;84;476
70;Haute-Saône;27;42
71;Saône-et-Loire;27;104
72;Sarthe;52;119
73;Savoie;84;55
74;Haute-Savoie;84;84
75;Paris;11;636
76;Seine-Maritime;28;419
77;Seine-et-Marne;11;298
78;Yvelines;11;246
79;Deux-Sèvres;75;67
80;Somme;32;185
81;Tarn;76;106
82;Tarn-et-Garonne;76;65
83;Var;93;320
84;Vaucluse;93;176
85;Vendée;52;74
86;Vienne;75;125
87;Haute-Vienne;75;100
88;Vosges;44;107
89;Yonne;27;90
90;Territoire de Belfort;27;41
91;Essonne;11;287
92;Hauts-de-Seine;11;312
93;Seine-Saint-Denis;11;858
94;Val-de-Marne;11;447
95;Val-d'Oise;11;351
971;Guadeloupe;01;436
972;Martinique;02;360
973;Guyane;03;227
974;La Réunion;04;1007
976;Mayotte;06;54
"""

DEPARTEMENTS: tuple[Departement, ...] = tuple(
    Departement(code, nom, region, int(scale))
    for code, nom, region, scale in (line.split(";") for line in _TABLE.splitlines())
)
