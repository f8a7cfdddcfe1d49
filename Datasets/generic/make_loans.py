"""Writes loans.csv: 2,000 made-up consumer loans (income, debt, age, region) with a `default`
label from a known logistic model, to show `finrec train --label` on data that are not
enterprises. Deterministic (Python's own Mersenne Twister, seed 7); no dependencies.

usage: python3 make_loans.py > loans.csv
"""
import math
import random

rng = random.Random(7)
regions = ["north", "south", "east", "west"]
region_effect = {"north": 0.0, "south": 0.4, "east": -0.3, "west": 0.2}
print("id,income,debt,age,region,default")
for i in range(2000):
    income = round(math.exp(rng.gauss(10.5, 0.5)), 2)
    debt = round(income * rng.uniform(0, 1.2), 2)
    age = rng.randint(21, 70)
    region = rng.choice(regions)
    z = -1.0 + 1.8 * (debt / income - 0.6) - 0.6 * (math.log1p(income) - 10.5) - 0.02 * (age - 45) + region_effect[region]
    default = 1 if rng.random() < 1 / (1 + math.exp(-z)) else 0
    # A few missing incomes and ages, as real files have.
    income_text = "" if rng.random() < 0.01 else repr(income)
    age_text = "" if rng.random() < 0.01 else str(age)
    print(f"L{i:05d},{income_text},{debt},{age_text},{region},{default}")
